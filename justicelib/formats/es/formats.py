"""Spanish formats for the readers of Guatemala and the Dominican Republic.

Django's own `es` formats are Spain's: a decimal comma and a dot (or space) between thousands.
Guatemala and the Dominican Republic write a decimal point and a comma between thousands
(“1,234.5”; both countries' central banks publish figures so), so only the number separators
change here; dates keep Django's Spanish formats (“septiembre de 2023”), which every other name
below falls back to.
"""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
