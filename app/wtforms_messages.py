"""WTForms' built-in messages, listed so `pybabel extract` puts them in our catalogue.

WTForms ships no Danish translation; app.forms.BaseForm routes its messages through ours.
Nothing imports this module; it only exists to be extracted.
"""


def N_(message: str) -> str:
    return message


WTFORMS_MESSAGES = [
    N_("This field is required."),
    N_("Not a valid choice."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid time value."),
    N_("Invalid email address."),
    N_("Invalid input."),
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("'%(value)s' is not a valid choice for this field."),
    N_("'%(value)s' are not valid choices for this field."),
    N_("Field must be equal to %(other_name)s."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid CSRF Token."),
    N_("The CSRF token is missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
]
