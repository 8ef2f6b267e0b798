"""Who may do what with the exhibition (django-rules predicates).

Reading the published exhibition needs no permission at all (the public
views ask for none); these are the office's actions and the staff's reads.
"""

import rules

from competition.rules import can_read_all, is_office

rules.add_perm("exhibition.publish", is_office)
rules.add_perm("exhibition.edit_exhibit", is_office)
rules.add_perm("exhibition.withdraw_exhibit", is_office)
rules.add_perm("exhibition.restore_exhibit", is_office)
rules.add_perm("exhibition.read_exhibits", can_read_all)

# 意见建议: the office reads and handles them; observers read.
rules.add_perm("exhibition.handle_suggestion", is_office)
rules.add_perm("exhibition.read_suggestions", can_read_all)
rules.add_perm("exhibition.edit_halls", is_office)
