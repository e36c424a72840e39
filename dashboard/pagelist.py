"""The dashboard's pages, in navigation order: (file relative to app.py, title, icon, url path).

The AppTest meta-test reads this list: every page here must have a test.
"""
from __future__ import annotations

EXPLORER_PAGE = "views/explorer.py"
EXPLORER_SLUG = "explorer"

PAGES = [
    ("views/overview.py", "Overview", ":material/dashboard:", "overview"),
    ("views/conversations.py", "Conversations", ":material/forum:", "conversations"),
    ("views/intents.py", "Intents", ":material/account_tree:", "intents"),
    ("views/missed.py", "Missed utterances", ":material/help:", "missed"),
    ("views/slots_attributes.py", "Slots & attributes", ":material/label:", "slots"),
    (EXPLORER_PAGE, "Session explorer", ":material/search:", EXPLORER_SLUG),
    ("views/outcomes.py", "Outcomes & funnels", ":material/flag:", "outcomes"),
    ("views/nlu.py", "NLU health", ":material/psychology:", "nlu"),
    ("views/generative.py", "Generative answers", ":material/auto_awesome:", "generative"),
    ("views/clusters.py", "Clusters", ":material/bubble_chart:", "clusters"),
    ("views/comparisons.py", "Comparisons", ":material/compare_arrows:", "comparisons"),
]

# The tables that list sessions (``show_table(..., session_column=...)``): name -> page slug.
# Picking a row of one opens that session's transcript; ``show_table`` refuses a session table
# missing here, and the browser journey tests walk this list, so every one of them is tested.
SESSION_TABLES = {
    "top_sessions": "conversations",
    "missed_history": "missed",
    "sessions_found": EXPLORER_SLUG,
    "near_misses": "nlu",
    "returning_users": "comparisons",
    "unusual_hour_sessions": "",  # the Overview is the default page: its URL is "/"
}
