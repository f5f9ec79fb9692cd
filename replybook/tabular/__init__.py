"""Reading the files shops have: the one encoding rule, and (to come) Excel and chat logs."""
