"""The registry (台账, issue 2): minors, guardians and categories, their history and baseline figures, the
region pages that show registry aggregates, and `minor_scope_q`, the one filter for "minors this user may see".

Rooms: models, services (registration, changes, moves, closing), selectors, views, api, serializers, forms,
urls; identity (resident ID numbers and phones) and romanisation (pinyin search keys)."""
