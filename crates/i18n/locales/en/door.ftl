# The door: what staff read after each scan (times are the stop's local time).

door-welcome = Welcome, { $name }
door-already = { $name } is already checked in (since { $time })
door-cancelled = this registration was cancelled on { $date } at { $time }
door-waitlisted = this participant is on the waiting list (position { $position }), not confirmed
door-other-stop = this ticket is for { $stop } on { $date }, not for this stop
door-too-early = this ticket is for { $date } at { $time }: the door opens { $opens }
door-too-late = this ticket was for { $date }: the stop is over
door-changed = this registration changed during the scan; scan again
door-conflict = { $name } had already come in through { $door } at { $time }: admitted twice
door-unknown = Unknown ticket: check the code
door-synced = scan already sent
door-scan-key = invalid scan key (8 to 64 letters, digits or dashes)
door-too-many-scans = at most { $max } scans per sync
door-no-scans = no scan to send
door-list-closed = the door's list is only given on the stop's day: from { $opens } to { $closes }
door-no-seat = no seat booked in the workshop “{ $workshop }”
door-conflict-elsewhere = { $name } had already come in at { $time }: admitted twice
