"""Civil-status rules, free of web and database code."""
