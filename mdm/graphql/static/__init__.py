"""GraphiQL's page and the builds it loads (graphiql 4.1.2, react 18.3.1; MIT, the LICENSE
files here), served by the hub so the page works without internet access. The builds are
not in the repository: ``scripts/fetch_graphiql.py`` brings them at install, pinned and
hash-checked (``assets.json``). A package only so that the files ship as package data."""
