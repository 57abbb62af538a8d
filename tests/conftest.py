import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The database as `manage.py load_demo` leaves it."""
    call_command("load_demo", verbosity=0)
