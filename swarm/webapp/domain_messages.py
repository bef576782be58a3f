"""The services' ValidationError messages, marked here so that they are extracted and translated.

Services speak English (the code's language); `forms.errors.attach_error` looks each message up in the catalogue.
"""

from flask_babel import lazy_gettext as _l

DOMAIN_MESSAGES = (
    _l("A KvK number has exactly 8 digits."),
    _l("Enter a valid email address."),
    _l("This field is required."),
    _l("A skill level is 1, 2 or 3."),
    _l("An account with this email address already exists."),
    _l("A professional with this email address is already registered."),
    _l("Pick a place from the list."),
    _l("Choose the region you work in."),
    _l("Unknown kind of document."),
    _l("A document cannot expire before it was issued."),
    _l("Answer yes, if need be, or no."),
    _l("This is not a slot of your region."),
    _l("This is not your current password."),
    _l("Use at least 10 characters."),
    _l("A slot must end after it starts."),
    _l("The round cannot end before it starts."),
    _l("There is no draft schedule to publish; solve the round first."),
    _l("The round has no open requests to plan."),
    _l("This invitation is no longer open."),
    _l("This session has already started."),
    _l("Give a time limit between 1 second and an hour."),
    _l(
        "The published schedule changed after this draft was made (for instance a decline was repaired). "
        "Solve again; this draft cannot be published."
    ),
    _l("Nothing of the round is published; there is nothing to repair."),
    # accounts and passwords
    _l("Use at most 200 characters."),
    _l("Use more different characters."),
    _l("This password is too common. Choose a longer or less predictable one."),
    _l("Do not use your email address as your password."),
    _l("Choose a password other than the current one."),
    _l("Use letters, digits and punctuation only (no line breaks)."),
    _l("At most 200 characters."),
    _l("At most 120 characters."),
    _l("An administrator acts for no single region or municipality."),
    _l("Choose organizer, coordinator or administrator."),
    _l("Choose the region this organizer works for."),
    _l("Choose the municipality this coordinator works for."),
    _l("Choose Nederlands or English."),
    _l("This account is switched off; switch it on first."),
    _l("This person has already logged in; they can use 'Forgot password?'."),
    _l("You cannot switch off your own account."),
    # setting a region up
    _l("Use letters or digits."),
    _l("Another region already has this short name."),
    _l("Unknown time zone; use e.g. Europe/Amsterdam."),
    _l("Unknown place: give the name of a Dutch town or village."),
    _l("This place already belongs to another municipality."),
    _l("A CBS code is GM followed by 4 digits, e.g. GM0197."),
    _l("Another municipality already has this CBS code."),
    _l("Choose a region."),
    _l("Unknown sample region."),
    _l("The region already has a venue with this name."),
    _l("An online venue needs a web link (https://...)."),
    _l("Must be between 1 and 10."),
    _l("Must be between 1 and 100."),
    _l("Must be between 1 and 500."),
    _l("Must be between 1 and 10000."),
    # API tokens and webhooks
    _l("At most 100 characters."),
    _l("Must be between 1 and 3650."),
    _l("You have 50 tokens already; revoke one first."),
    _l("Give the receiver's address, e.g. https://hr.example.nl/swarm."),
    _l("Use an https:// address."),
    _l("Choose at least one event."),
    _l("A secret has 16 to 200 letters, digits or punctuation."),
    _l("The region has 20 webhooks already; remove one first."),
    _l("The deadline must lie in the future."),
)
