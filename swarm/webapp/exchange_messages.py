"""The import's messages (``swarm.services.exchange`` and the services' refusals an import meets), marked here
so that they are extracted and translated; the pages word them with ``gettext(message, **params)``."""

from flask_babel import lazy_gettext as _l

EXCHANGE_MESSAGES = (
    # reading the file
    _l("The file is empty."),
    _l("This is not a CSV or Excel (.xlsx) file."),
    _l("This is not a CSV or Excel (.xlsx) file. Save it as .xlsx or CSV and try again."),
    _l("This Excel file cannot be read. Save it again as .xlsx and try again."),
    _l("Line %(line)s cannot be read: %(problem)s"),
    _l("The file has more than %(count)s columns."),
    _l("The file has more than %(count)s rows; split it up."),
    _l("The file is larger than %(size)s MB."),
    _l("The file has a header but no rows."),
    _l('The columns "%(first)s" and "%(second)s" both hold %(field)s.'),
    _l("The column %(column)s is missing."),
    # cells
    _l('"%(value)s" is not a whole number.'),
    _l('"%(value)s" is not a number.'),
    _l('Write "ja" or "nee", not "%(value)s".'),
    _l(
        'Write skills as skill:level, separated by commas (participatie:2, omgevingsrecht:1), not "%(value)s".'
    ),
    _l('Write needs as skill:count:level, separated by commas (participatie:2:1), not "%(value)s".'),
    _l('"%(value)s" is not a date and time (write 2027-01-05 17:00).'),
    _l('Unknown place "%(value)s". Did you mean: %(choices)s?'),
    _l('Unknown place "%(value)s"; use a place of the place list.'),
    _l('"%(value)s" is not a place of the municipality %(municipality)s; the list has: %(choices)s.'),
    _l('There are several places called "%(value)s" (%(choices)s): add the municipality.'),
    _l('Unknown municipality "%(value)s". Did you mean: %(choices)s?'),
    _l('Unknown municipality "%(value)s".'),
    _l('Unknown skill "%(value)s". Did you mean: %(choices)s?'),
    _l('Unknown skill "%(value)s"; use a code of the skill catalogue.'),
    _l('The skill "%(value)s" is named twice.'),
    _l('Unknown time slot "%(value)s"; the region has: %(choices)s.'),
    _l('Unknown venue "%(value)s"; the region has: %(choices)s.'),
    # rows
    _l("This row is about the same professional as line %(line)s."),
    _l("This role is also on line %(line)s."),
    _l("This venue is also on line %(line)s."),
    _l("This question is also on line %(line)s."),
    _l("You import for %(municipality)s only."),
    _l("Name the municipality (column Gemeente)."),
    _l("%(municipality)s is not of this region."),
    _l("Name the place of the venue, or mark it online."),
    # the services' refusals
    _l("The region already has a venue with this name."),
    _l("An online venue needs a web link (https://...)."),
    _l("Use letters or digits."),
    _l("Your role book already has a role with this name."),
    _l("A planned or held request can no longer be changed."),
    _l("The deadline must lie in the future."),
    _l("The deadline must be before the first candidate slot."),
    _l("The largest table size cannot be below the smallest."),
    _l("The region has no open planning round."),
    _l("Name each skill once."),
    _l("An account with this email address already exists."),
    # the invitation link
    _l("This link is no longer valid. Ask the organizer of your region for a new invitation."),
)
