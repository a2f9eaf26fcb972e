"""The daily list of actions to take and the rules that propose them."""
