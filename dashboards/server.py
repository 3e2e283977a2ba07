"""The dashboard served as an ASGI app: app.py behind the gate (dashboards/gate.py).

``callqa dashboard`` runs this file with ``streamlit run``, which serves the ``app`` below.
"""

from starlette.middleware import Middleware

import streamlit as st
from gate import Gate  # the same module app.py imports: one record of signed-in sessions

app = st.App("app.py", middleware=[Middleware(Gate)])
