"""The dashboard's pages, in navigation order: (file relative to app.py, title, icon, url path).

The AppTest meta-test reads this list: every page here must have a test.
"""
from __future__ import annotations

EXPLORER_PAGE = "pages/explorer.py"

PAGES = [
    ("pages/overview.py", "Overview", ":material/dashboard:", "overview"),
    ("pages/conversations.py", "Conversations", ":material/forum:", "conversations"),
    ("pages/intents.py", "Intents", ":material/account_tree:", "intents"),
    ("pages/missed.py", "Missed utterances", ":material/help:", "missed"),
    ("pages/slots_attributes.py", "Slots & attributes", ":material/label:", "slots"),
    (EXPLORER_PAGE, "Session explorer", ":material/search:", "explorer"),
    ("pages/outcomes.py", "Outcomes & funnels", ":material/flag:", "outcomes"),
    ("pages/nlu.py", "NLU health", ":material/psychology:", "nlu"),
    ("pages/clusters.py", "Clusters", ":material/bubble_chart:", "clusters"),
    ("pages/comparisons.py", "Comparisons", ":material/compare_arrows:", "comparisons"),
]
