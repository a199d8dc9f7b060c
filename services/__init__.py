"""What both the pages (callbacks/) and the downloads (exports/) stand on: the view a
request asks for, and the named charts built from it."""
