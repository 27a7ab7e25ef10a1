# The pages behind the links in messages: a participant's own registration
# (/m/…) and a session's speaker page (/s/…).

page-invalid-link-title = Link not valid
page-invalid-link = This link is not valid, or no longer is. Use the link of your latest message, or contact the organizer.
manage-title = Your registration
manage-hello = Hello { $name },
manage-confirmed = Your place is confirmed.
manage-waitlisted = You are on the waiting list: { $position ->
    [one] you are next in line.
   *[other] position { $position }.
}
manage-cancelled = This registration was cancelled on { $date }.
manage-checked-in = Checked in at { $time }.
manage-when = When
manage-where = Where
manage-ticket = Entry code
manage-ticket-note = Show this code or its QR code at the entrance.
speaker-title = Questions for “{ $session }”
speaker-count = { $count ->
    [0] No questions yet.
    [one] One question.
   *[other] { $count } questions.
}
page-unavailable = The service is briefly unavailable; please try again in a moment.
