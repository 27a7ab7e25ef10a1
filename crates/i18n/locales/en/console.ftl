## The organizers' console

console-login-title = Sign in to the console
console-login-intro = For organizers' teams: your email and password.
console-password = Password
console-organizer = Organizer
console-organizer-hint = The organizer's name in its address, for example attitudes-conseil.
console-login = Sign in
console-logout = Sign out
console-switch = Switch
console-cross-site = This form was not sent from the console. Open the console again and retry.
console-forged = This form is no longer valid (the session ended, or the page is another session's). Open the console again and retry.
console-dashboard = Dashboard
console-door-only = Your role gives access to the door (ticket checks) only.
console-no-edition = No edition yet.
console-edition = Edition
console-show = Show
console-stops = The edition's stops
console-stop = Stop
console-confirmed = Confirmed / seats
console-waiting = Waiting
console-cancelled = Cancelled
console-checked-in = Checked in
console-stop-draft = draft
console-stop-published = published
console-stop-cancelled = cancelled
console-totals = Confirmed: { $confirmed } / { $capacity } seats · waiting: { $waiting } · checked in: { $checkedIn }
console-role-owner = owner
console-role-admin = admin
console-role-staff = staff
console-role-checkin = door
console-back = Dashboard
console-search = Search (name, email, phone or code)
console-export = Export the list (CSV)
console-list = The stop's registrations
console-next = Next page
console-matching = { $count ->
    [0] No registration matches.
    [one] One registration.
   *[other] { $count } registrations.
}
console-col-person = Participant
console-col-status = Status
console-col-workshops = Workshops
console-col-registered = Registered
console-status-confirmed = confirmed
console-status-waitlisted = waiting (no. { $position })
console-status-cancelled = cancelled
console-filter-all = All
console-filter-checked = Arrived
console-filter-not-checked = Not arrived yet
console-new-stop = New stop
console-new-stop-draft = The stop is created as a draft: add its workshops, then publish it.
console-create-stop = Create the stop
console-field-name = Stop name
console-field-region = Region
console-field-city = City
console-field-venue = Venue
console-field-address = Address (optional)
console-field-directions = Getting there (optional)
console-field-starts = Starts (local time)
console-field-ends = Ends (local time)
console-field-capacity = Seats
console-field-title = Title
console-field-room = Room (optional)
console-field-seats = Seats (empty: open to all)
console-seats-hint = With a number of seats it is a workshop one signs up for; without, a session open to all.
console-sessions = Programme
console-no-session = No session yet.
console-add-session = Add a session
console-add = Add
console-publish = Publish the stop
console-unpublish = Back to draft
console-public-page = See the public page
console-edit = Edit
console-time-invalid = a date and time is expected (YYYY-MM-DD HH:MM)
console-number-invalid = a whole number is expected
console-per-day = Registrations per day
console-per-day-summary = { $count ->
    [0] No registration
    [one] One registration
   *[other] { $count } registrations
} over { $days ->
    [one] one day
   *[other] { $days } days
}
console-questions = Questions by topic
console-none-yet = Nothing yet.
console-team = Team
console-col-role = Role
console-change = Change
console-remove = Remove
console-since = since
console-add-member = Add a person
console-member-name = Name (optional)
console-member-password = Password
console-member-password-hint = For someone new to the platform (at least 10 characters, hard to guess); left empty for someone who already has an account.
console-col-member = Member
console-keys = API keys
console-key-secret = Here is the key. Copy it now: it will never be shown again.
console-key-name = Name
console-key-scopes = Scopes
console-key-scopes-hint = A partner's key holds agenda:read, stats:read or leads:read; the organizer's key, organizer scopes (never managing keys or the team).
console-key-active = active
console-key-expired = expired
console-key-revoked = revoked
console-key-revoke = Revoke
console-key-new = New key
console-key-for = For
console-key-own = The organizer (its own integration)
console-key-expires = Expires on (optional)
console-key-create = Create the key
console-key-log = Access log (last 50 calls)
console-key-when = When
console-key-operation = Operation
console-key-returned = Objects / contacts
console-audit = Audit log
console-audit-object = Object
console-audit-action = Action
console-audit-key = an API key
console-audit-platform = the platform
console-audit-former = a former member
console-audit-count = { $count ->
    [0] No entry.
    [one] One entry.
   *[other] { $count } entries.
}
console-settings = Settings
console-settings-saved = Saved: the organizer's pages show it.
console-accent = Accent colour
console-accent-hint = As #rrggbb; white text must read on it (WCAG AA contrast of 4.5:1). Empty: the default colour.
console-remove-logo = Remove the logo
console-origins = Sites that may embed your pages
console-origins-hint = One https address per line, for example https://www.example.ma (10 at most).
console-save = Save
console-history = Registrations (every stop and edition)
console-cancel-for = Cancel this registration on their behalf
console-consents = Consents

## A stop's messages
console-messages = Messages
console-messages-by-channel = The stop's messages, by channel
console-channel = Channel
console-channel-email = Email
console-channel-sms = SMS
console-messages-waiting = To send
console-messages-sent = Sent
console-messages-failed = Failed
console-messages-withdrawn = Withdrawn
console-sms-segments = SMS segments
console-broadcast = Write to the people registered
console-broadcast-hint = Everyone registered (confirmed or waiting) gets the text in their language, else the organizer's, by the channels they consented to. Nothing goes before "Send", after the preview.
console-channels = Channels
console-urgent = Urgent: send SMS even in quiet hours
console-subject = Subject
console-body = Message
console-preview = Before sending
console-preview-action = Preview
console-people = { $count ->
    [0] nobody
    [one] { $count } person
   *[other] { $count } people
}
console-emails = { $count ->
    [one] { $count } email
   *[other] { $count } emails
}
console-sms-count = { $count ->
    [one] { $count } SMS
   *[other] { $count } SMS
}
console-segments = { $count ->
    [one] { $count } SMS segment
   *[other] { $count } SMS segments
}
console-cost = estimated cost
console-no-price = The price of an SMS segment is not configured (ESCALE_SMS_SEGMENT_PRICE): no cost estimate.
console-reads = reads the text in
console-sms-length = { $segments ->
    [one] 1 segment
   *[other] { $segments } segments
} ({ $units } characters)
console-send-to = { $count ->
    [one] Send to { $count } person
   *[other] Send to { $count } people
}
console-broadcast-sent = { $count ->
    [0] No message planned: nobody consented to these channels.
    [one] { $count } message planned.
   *[other] { $count } messages planned.
}
console-broadcast-unreachable = { $count ->
    [one] { $count } person consented to none of the chosen channels.
   *[other] { $count } people consented to none of the chosen channels.
}
console-retried = { $count ->
    [one] { $count } message sent again.
   *[other] { $count } messages sent again.
}
console-failed = Failed messages
console-failed-none = No failed message.
console-retry-pick = Send again
console-when = When
console-message = Message
console-recipient = Recipient
console-reason = Reason
console-attempts = { $count ->
    [one] { $count } attempt
   *[other] { $count } attempts
}
console-retry = Send the selected again
console-message-confirmation = Confirmation
console-message-waitlisted = Waiting list
console-message-promotion = Place freed
console-message-session_promotion = Workshop seat
console-message-cancellation = Cancellation
console-message-reminder = Reminder
console-message-session_reminder = Workshop reminder
console-message-broadcast = Message to participants
console-message-stop_changed = Stop changed
console-message-stop_cancelled = Stop cancelled

## Moving dates
console-reschedule = Move the stop
console-reschedule-hint = Workshops follow the stop and keep their place in the day; reminders are planned again. The stop's local times.
console-now = Now:
console-notify = Tell the people registered (email with the updated calendar, SMS)
console-from = Before:
console-to = After:
console-told = { $count ->
    [0] Nobody is registered: nobody to tell
    [one] { $count } person registered will be told
   *[other] { $count } people registered will be told
}
console-not-told = Nobody will be told.
console-reschedule-confirm = Move the stop
console-clone = Prepare the next edition
console-clone-hint = Copies the stops, workshops, speakers and partnerships into a new draft edition without participants, dates moved in local time (364 days keep the weekday).
console-field-number = Edition number
console-field-year = Year
console-field-shift = Shift in days
console-clone-empty = This edition has no stop yet.
console-weekday-changes = another weekday
console-clone-confirm = Create the edition
console-nearly-full = Workshops nearly full
console-nearly-full-none = No workshop has less than a fifth of its seats left.
console-messages-by-stop = Messages by stop
console-message-states = sent · failed · to send
console-before-confirm = Check before confirming

## Message templates
console-templates = Message templates
console-templates-hint = The wording of each message, by channel and language. Edit the platform's, check the preview in all three languages from sample data, then save: a text that would not render is refused with the reason.
console-language = Language
console-saved = Saved.
console-template-custom = The organizer's wording
console-template-builtin = The platform's wording
console-template-text = Email text
console-template-html = HTML version (optional)
console-template-variables = Variables:
console-template-preview = Preview from sample data
console-template-reset = Back to the platform's wording

## A stop's details
console-details = Stop details
console-details-staff = Seats and the place are changed by an owner or an admin: what the people registered were told changes.
console-notify-place = Tell the people registered if the venue, address or city changes

## Reminder policies
console-reminders = Reminders
console-reminders-hint = Each reminder goes a delay before the stop (one per registration) or before each of the person's workshops (one per seat), by the chosen channels, to those who consented. Reminders already planned follow as soon as this is saved; those already sent do not go again.
console-reminder-list = Reminders sent
console-reminder-when = Delay
console-reminder-before = Before
console-reminder-amount = How many
console-reminder-unit = Unit
console-unit-days = days
console-unit-hours = hours
console-unit-minutes = minutes
console-anchor-stop = the stop
console-anchor-session = each workshop
console-quiet-hours = Quiet hours (the stop's local time)
console-quiet-on = No SMS in these hours: they go when they end
console-quiet-from = From
console-quiet-to = To
console-policy-own-edition = This edition's rule
console-policy-own-stop = This stop's own rule
console-policy-edition = The edition's rule (this stop has none of its own)
console-policy-default = The platform's default rule
console-policy-inherit-stop = Follow the edition's rule
console-policy-inherit-edition = Back to the default rule
console-replanned = Saved: { $planned } reminders planned, { $withdrawn } withdrawn.
console-edition-reminders = The edition's reminders
console-no-message = No message.
console-message-state-pending = planned
console-message-state-queued = sending
console-message-state-sending = sending
console-message-state-sent = sent
console-message-state-delivered = delivered
console-message-state-failed = failed
console-message-state-cancelled = withdrawn
console-message-state-suppressed = not sent (consent withdrawn)

## The organizer's profile
console-profile = The organizer
console-look = Look and sites
console-tenant-name = The organizer's name
console-tenant-zone = Default time zone
console-tenant-zone-hint = New stops' zone, for example Africa/Casablanca.
console-tenant-language = Default language (of messages to whoever chose none)
console-sender-name = Email sender's name
console-sender-name-hint = Optional: the organizer's name otherwise. The sending address is set by the platform's operator.
console-sms-sender = SMS sender
console-sms-sender-hint = Optional: 3 to 11 letters or digits, where the carrier allows it.
console-logo = Logo
console-logo-hint = PNG, JPEG or WebP, 48 KB at most: it heads the organizer's pages.
console-logo-upload = Upload the logo

## Series, editions, speakers, partners
console-directory = Catalogue
console-series = Series and editions
console-series-one = Series
console-new-series = New series
console-series-name = The series' name
console-series-slug = Its name in addresses (lowercase and dashes)
console-new-edition = New edition
console-edition-draft = draft
console-edition-published = published
console-edition-archived = archived
console-edition-to-published = Publish
console-edition-to-draft = Back to draft
console-edition-to-archived = Archive
console-speakers = Speakers
console-new-speaker = New speaker
console-speaker-name = Full name
console-speaker-title = Position (optional)
console-speaker-organization = Organization (optional)
console-speaker-email = Email (optional, for their page)
console-partners = Partners
console-new-partner = New partner
console-partner-one = Partner
console-partner-name = Name
console-partner-kind = Kind
console-partner-website = Website (optional)
console-new-partnership = Partner of an edition
console-partner-tier = Tier
console-kind-bank = bank
console-kind-telecom = telecoms
console-kind-public_agency = public agency
console-kind-chamber = chamber
console-kind-training = training
console-kind-cooperation = cooperation
console-kind-media = media
console-kind-other = other
console-tier-principal = principal partner
console-tier-official = official partner
console-tier-institutional = institutional partner
console-tier-media = media partner
console-tier-supporter = supporter

## The door
console-door = Door
console-door-counts = In: { $in } of { $confirmed } confirmed
console-door-code = Ticket code
console-door-check = Check
console-door-inputs = Scan the QR code with a handheld scanner (it types the code, then Enter) or type the code: case, spaces and the dash are forgiven.
console-door-unknown = Unknown ticket: check the code
console-doors = The stops' doors
console-door-unknown-offline = Not on this stop's list (offline): check the code
console-door-online = Online
console-door-offline = Offline: entries are kept on this device
console-door-queued = To send: { $count }
console-door-list = Today's list ({ $count }) read at { $time }
console-door-no-list = No list for today on this device: open this screen online on the stop's day
console-door-saved-offline = Offline: entry kept, sent when the network is back
console-door-camera = Scan with the camera
console-door-camera-stop = Stop the camera
console-door-inputs-camera = On this device: the camera (QR code), a handheld scanner (it types the code, then Enter) or typing by hand.
console-door-inputs-plain = On this device: a handheld scanner (it types the code, then Enter) or typing by hand. This browser does not read QR codes with the camera (Chrome on Android does).
console-door-reported = Admitted twice or against the list: to check
console-door-signed-out = Signed out: sign in again to send the entries
console-door-leave = Some entries are not sent yet; signing out erases them from this device. Go on?
console-door-unnamed = Unnamed door
console-door-elsewhere = Elsewhere (API)
console-door-at = { $door }: { $count }
console-door-report = { $kind } — { $door }, { $time }
console-door-report-twice = Admitted twice
console-door-report-refused = Admitted offline against the list
console-door-reports = To check
console-door-name = This door's name
console-door-name-label = Door name (each door is counted on its own)
console-door-name-hint = North entrance
console-door-bad-batch = Unreadable batch: reload the page
console-door-rooms = Workshop doors
console-door-main = The stop's door
