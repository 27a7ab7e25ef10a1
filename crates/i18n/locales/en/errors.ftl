# Errors people see: API answers (extensions.message), form fields, the door.
# A field's rule is said after the field's name ("email: is not a valid
# email address"), so these read as the end of a sentence.

## Any field

field-empty = is empty
field-required = is required
field-not-blank = must not be empty
field-too-long = is longer than { $max } characters
field-length = must be 1 to { $max } characters
field-control-chars = contains control characters
field-too-large = is too large
field-not-negative = must not be negative
field-at-most = must be at most { $max }
field-at-least = must be at least { $min }
field-future = must be in the future
field-one-of = must be one of { $values }
field-bad-id = is not a valid id
field-bad-cursor = is not a cursor from this API
field-not-url = is not a URL
field-not-http = must be an http(s) address

## Values people type

value-email = is not a valid email address
value-phone-chars = is not a phone number (digits, spaces and a leading + only)
value-phone = is not a phone number
value-phone-country = is not a valid phone number for its country
value-phone-stored = stored phone number is not in E.164 form
value-name = is not a name
value-locale = must be one of fr, ar, en
value-ticket = is not a ticket code
value-slug = must be 2 to 63 lower-case letters, digits or single hyphens (e.g. attitudes-conseil)
value-seats-min = must be at least 1 seat
value-seats-max = must be at most { $max } seats
value-time-zone = is not an IANA time zone name such as Africa/Casablanca
value-unknown = unknown { $kind } "{ $value }"
value-time-of-day = "{ $value }" is not a time such as 21:00
value-local-time = must be a local date and time such as 2027-01-16T09:00
value-instant-or-local = give the instant or the local time, not both
value-time-required = is required (as an instant, or as local time)

## Not found, by what was looked for

not-found = { $entity ->
    [stop] stop
    [session] session
    [registration] registration
    [participant] participant
    [edition] edition
    [series] series
    [speaker] speaker
    [partner] partner
    [partnership] partnership
    [member] member
    [user] user
    [organizer] organizer
    [tenant] tenant
    [api-key] API key
    [notification] failed notification
   *[other] object
} not found

## Registering and afterwards

register-contact = give an email address or a phone number (or both)
register-not-mobile = this number cannot receive SMS (it is not a mobile); give a mobile number or do not ask for SMS
register-sms-country = SMS go to numbers of { $allowed } only; this number is from { $found }; give such a mobile, or do not ask for SMS
register-too-many-sessions = at most 20 sessions per registration
register-session-elsewhere = a session given is not part of this stop
window-opens = registration for this stop opens at { $at }
window-closed = registration for this stop is closed
window-unavailable = this stop is not open for registration
question-session-elsewhere = is not a session of this registration's stop
registration-cancelled = this registration was cancelled
stop-over = this stop is over
contact-lookup = give an email address, a phone number or a ticket code
cancel-started = the stop has started; ask the organizers at the desk
workshop-started = this workshop has started; it can no longer change
consent-no-email = no email address is on record for this registration
consent-no-mobile = no mobile number is on record for this registration
cancel-checked-in = this participant has already been checked in; a present participant cannot be cancelled
ticket-or-link = give ticketCode, or registrationId with signature, or (organizers) registrationId alone
ticket-or-unsubscribe-link = give ticketCode, or participantId with signature

## Signing in and who may do what

bad-credentials = invalid email or password
token-invalid = invalid or expired token
log-in-first = log in first: send Authorization: Bearer <token>
which-organizer = you belong to several organizers: name the one to log in to (its slug)
role-forbids = your role ({ $role }) does not allow { $action }
key-lacks-scope = this API key lacks the scope { $scope }
key-invalid = invalid, revoked or expired API key
key-not-partner = this API key is the organizer's, not a partner's
partner-api-needs-key = the partner API takes a partner's API key (esk_live_…)
owner-only = only an owner may make, change or remove an owner
last-owner = { $verb ->
    [removed] the last owner cannot be removed: make another member owner first
   *[demoted] the last owner cannot be demoted: make another member owner first
}
member-exists = this person is already a member of this organizer
organizer-exists = an organizer { $slug } already exists
password-min = must be at least { $min } characters
password-bytes = is longer than 1024 bytes
password-weak = is too easy to guess{ $advice }
password-new-account = is required for a new account
scope-unknown = "{ $scope }" is not a scope
scopes-empty = name at least one scope
scope-organizer-only = { $scope } is an organizer scope; a partner's key holds agenda:read, stats:read, leads:read
scope-partner-only = { $scope } is a partner scope: create the key for a partner (partnerId)
scope-people-only = { $scope } is kept for people: a key cannot mint keys or change the team
rate-limited = too many attempts; try again in { $seconds } s
key-rate-limited = rate limit of this API key reached; retry in { $seconds } s

## Building the catalog

time-skipped = { $time } does not exist in { $zone } (the clocks skip it)
translation-twice = the language { $locale } is given twice
ends-after-start = must be after startsAt
stop-max-days = a stop lasts at most 14 days
close-after-start = must not be after the stop starts
open-after-close = must be before registrationClosesAt
open-after-start = must be before the stop starts
series-exists = a series { $slug } already exists
edition-number = must be at least 1
edition-year = must be a year such as 2027
edition-exists = edition { $number } of this series already exists
shift-days = must be within ten years
session-outside-stop = a session must take place within its stop's times
topics-max = at most 6 topics
capacity-below-taken = { $taken } seats are already taken; capacity cannot be lower
partner-exists = a partner with this name already exists
reschedule-before-close = the stop would start before its registration closes; move registrationClosesAt first
reschedule-session-outside = session “{ $title }” would end outside the new times; shorten it or widen the stop
edition-or-stop = give exactly one of editionId and stopId
edition-or-stop-not-both = give editionId or stopId, not both

## Messages

policy-max = at most { $max } reminders per policy
policy-minutes = must be between 1 and { $max } minutes (90 days)
policy-duplicate = { $minutes } minutes before { $anchor ->
    [session] each workshop
   *[stop] the stop
} appears twice
channels-empty = name at least one channel
time-of-day = must be a time of day between 00:00 and 23:59
quiet-hours-empty = quiet hours must not be empty
template-part-size = a template part is longer than 64 KiB
template-sms-subject = an SMS has only a text body
template-sms-segments = the sample renders to { $segments } SMS segments; at most { $max } are sent
template-undefined = { $expression } is not a variable of this message (see docs/TEMPLATES.md for the list)
template-invalid = { $detail }
broadcast-subject = one line of 1 to { $max } characters
broadcast-body = 1 to { $max } characters
retry-ids = give 1 to 500 notification ids
sms-cap = must be between 0 (no SMS) and 1,000,000
country-code = "{ $value }" is not a country code (ISO 3166, two letters: MA, FR)
countries-count = give between 1 and 30 countries
look-accent-format = must be a colour written #RRGGBB (for example #0b5d6b)
look-accent-contrast = is too light: white text on it would read at { $ratio }:1, and the pages need 4.5:1 (WCAG AA); choose a darker shade
look-logo-format = must be a PNG, JPEG or WebP image as a data: URL (data:image/png;base64,…)
look-logo-size = must be at most { $max } KiB
look-origin = « { $origin } » is not an origin such as https://www.example.ma (https, no path)
look-origins-count = may list at most { $max } sites
organizer-slug-reserved = « { $slug } » is one of the platform's own addresses; choose another
sms-sender-id = 3 to 11 letters or digits, no space or accent
