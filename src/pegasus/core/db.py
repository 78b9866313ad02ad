"""Database functions that PostgreSQL and SQLite spell differently."""

from django.db.models import Aggregate, CharField


class GroupConcat(Aggregate):
    """Join text values with ", " in one row: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ', ')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)
