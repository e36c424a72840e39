"""Reading logs into the tidy tables: what each line means (records), the tables built
from records (turn_table), and the two ways of loading files: the C scanner (native) and its
Python twin (line_loader), joined by loading."""
