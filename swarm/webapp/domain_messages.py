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
    _l("The last week cannot come before the first."),
    _l("A role spans at most 156 weeks (three years)."),
)
