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

# The public pages: the organizer, a stop, the registration form.

page-skip = Skip to content
page-languages = Language
page-footer = Registration by Escale. Your data stays with the organizer.
page-not-found-title = Page not found
page-not-found = There is no page at this address. Check the link, or go back to the organizer's page.
page-slow-down = Too many requests
home-title = Organizers
tenant-partners = Partners
tenant-nothing-now = No stop is announced at the moment.
tenant-past = Past editions
stop-seats-left = { $count ->
    [0] Full
    [one] One seat left
   *[other] { $count } seats left
}
stop-full-waitlist = Full — waiting list open
stop-opens = Registration opens on { $date }
stop-closed = Registration closed
stop-zone = local time, { $zone }
stop-directions = Getting there
session-more = More about it
stop-map = See on the map
stop-alternatives = Other stops still have seats
stop-agenda = Programme
session-workshop = Workshop
session-talk = Talk
session-panel = Panel
session-meeting = Meetings
session-full-waitlist = Full — waiting list
topic-digital-marketing = Digital marketing
topic-financial-education = Financial education
topic-budgeting = Budgeting
topic-banking-relations = Working with your bank
topic-digital-transformation = Digital transformation
topic-other = Another subject
language-fr = French
language-ar = Arabic
language-en = English
segment-tpe = Very small business (TPE)
segment-micro-enterprise = Micro-enterprise
segment-auto-entrepreneur = Self-employed (auto-entrepreneur)
segment-project-holder = Project holder
segment-other = Other
form-title = Register
form-title-waitlist = Join the waiting list
form-has-errors = Some answers need fixing; they are marked below.
form-name = Full name
form-contact-hint = An email or a phone number (or both), to send you your entry code.
form-email = Email
form-phone = Phone
form-phone-hint = For example 06 12 34 56 78 or +212 6 12 34 56 78
form-language = Language of your messages
form-sessions = Workshops you would like to attend
form-profile = Your business (optional)
form-segment = You are
form-company = Company or project
form-sector = Sector
form-region = Region
form-question = A question for the speakers (optional)
form-topic = Subject
form-question-body = Your question
form-consents = Your choices (optional)
form-consent-email = Send me reminders by email before the event.
form-consent-sms = Send me reminders by SMS before the event.
form-consent-partners = Share my name and contact details with the stop's partners.
privacy-title = Your personal data
privacy-notice = { $organizer } collects this information to manage your registration, send you your entry code and, if you agree, reminders. It is used for nothing else and goes to partners only if you tick that box. It is kept until the end of the edition, then deleted or made anonymous. You can withdraw each consent at any time from the link in your confirmation message, or by replying STOP to the SMS, and ask the organizer for access to your data or its deletion (Law 09-08 in Morocco, GDPR in Europe).
form-submit = Confirm my registration
form-submit-waitlist = Put me on the waiting list
form-cross-site-title = Form refused
form-cross-site = This form was not sent from our pages. Open the stop's page and try again.
form-forged = This form does not come from our pages. Open the stop's page and try again.
form-expired = The page was open for too long. Check your answers and send again.
register-already-title = You are already registered
register-already = A registration already exists for this stop with these details. The link to see or change it is in your confirmation message.
manage-welcome = Done: your registration is recorded. A confirmation message is on its way.
manage-calendar = Add to my calendar
manage-print = Print my ticket
manage-keep-link = Keep this link: it brings you back to this page. Do not share it.
manage-cancel = Cancel my registration
cancel-title = Cancel the registration
cancel-explain = Your seat will be offered to the next person on the waiting list. This cannot be undone.
cancel-confirm = Yes, cancel my registration
cancel-back = No, back to my registration
manage-ask = Send my question
manage-question-sent = Your question has gone to the speakers, without your name.
manage-consent-given = given on { $date }
manage-consent-not-given = not given
manage-consent-withdraw = Withdraw my consent
manage-consent-withdrawn = Done: your consent is withdrawn, and nothing that relied on it will be sent.
manage-workshops = My workshops
manage-workshop-in = You have a seat.
manage-workshop-waiting = Workshop waiting list: position { $position }.
manage-workshop-held = Your place in this workshop is held until you get a seat at the stop.
manage-workshop-join = Join this workshop
manage-workshop-join-waitlist = Join its waiting list
manage-workshop-leave = Leave this workshop
manage-workshop-started = The workshop has started.
manage-workshop-joined = Done: you have a seat in the workshop.
manage-workshop-queued = Done: you are on the workshop's waiting list.
manage-workshop-left = Done: you left the workshop, and your seat goes to the next person.
manage-consent-give = Give my consent
manage-consent-recorded = Done: your consent is recorded.
manage-language-save = Save
manage-language-changed = Done: your next messages will be in this language.
