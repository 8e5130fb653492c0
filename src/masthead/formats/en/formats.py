"""The house style (``masthead.house``) in Django's format language, for the dates Django itself renders in the
newsroom: read-only fields, the history page, date filters. ``0535 GMT April 12, 2021``; times are kept in UTC."""

DATETIME_FORMAT = r"Hi \G\M\T F j, Y"  # house.dateline
DATE_FORMAT = "F j, Y"  # house.day
TIME_FORMAT = r"Hi \G\M\T"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
SHORT_DATE_FORMAT = DATE_FORMAT
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"  # house.month_year
# What the newsroom's forms read: the house's year-month-day and 24-hour times.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%H%M"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]
FIRST_DAY_OF_WEEK = 6  # Saturday, the first working day of the week in Iran
