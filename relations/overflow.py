"""Submitted keys that no integer column can hold match nothing, in ``IN`` as in ``=``.

Forms and widgets look submitted keys up with ``__in``: a multiple choice, the admin's
autocomplete boxes and our search boxes when they show a refused form again. Django
already makes ``pk=99999999999999999999`` an empty result, but sends the same number
inside ``pk__in=[...]`` to the database (SQLite fails with OverflowError), and the admin's
autocomplete box raises ValueError for a key such as "abc" or "²". Either gave a 500
instead of the form's own error.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


def _is_integer(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


class IntegerFieldIn(In):
    def get_prep_lookup(self):
        if self.rhs_is_direct_value():
            self.rhs = [v for v in self.rhs if not isinstance(v, str) or _is_integer(v)]
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
