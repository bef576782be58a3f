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
    _l("Answer accept, maybe or decline."),
    # planning rounds (plan.rounds, plan.frame, plan.queue)
    _l("The deadline must lie in the future."),
    _l("The deadline must be before the first time slot."),
    _l("Add at least one time slot."),
    _l("A time slot must start in the future."),
    _l("Pick at least one venue for this time slot."),
    _l("Pick venues of your region."),
    _l("The region already has a time slot in this part of that day."),
    _l("This time slot is not part of the round."),
    _l("A time slot with a planned session stays."),
    _l("A closed round can no longer be changed."),
    _l("The availability poll of this round has closed; its deadline and time slots stay as they are."),
    _l("This round is already closed."),
    _l("This round still has sessions to come; close it after the last one."),
    _l("This round is closed; it is no longer planned."),
    _l("The region has no such planning round."),
    _l("The region has no planning round yet."),
    _l("This planning round belongs to another region."),
    _l("Use letters or digits."),
    _l("The region already has a venue with this name."),
    _l("An online venue needs a web link (https://...)."),
    # swarm requests (plan.requests)
    _l("No planning round takes requests now; time slots can be picked when the next round opens."),
    _l("The availability poll of this round has closed; withdraw the request to change it."),
    _l("Pick at least one candidate slot."),
    _l("Pick slots of your region."),
    _l("Pick time slots of the round that takes requests now."),
    _l("A time slot that has begun cannot be picked."),
    _l("The largest table size cannot be below the smallest."),
    _l("Name each skill once."),
    _l("Pick each excluded professional once from the list."),
    _l("A planned or held request can no longer be changed."),
    _l("A request stays with its municipality."),
    # availability (people.professionals)
    _l("This time slot has already begun."),
    _l("The availability poll for this time slot has closed."),
    # projects and role book (team)
    _l("Pick existing projects."),
    _l("Pick projects of one region."),
    _l("The projects have no roles to fill yet."),
    _l("Your role book already has a role with this name."),
    _l("The last week cannot come before the first."),
    _l("Pick a role from your own role book."),
    _l("Pick a question of your own municipality."),
    _l("This professional already has another role in the project."),
    _l("There is no team to accept yet."),
)
