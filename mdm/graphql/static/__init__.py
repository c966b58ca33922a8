"""GraphiQL's page and its vendored bundles (graphiql 3.8.3, react 18.3.1, MIT),
served by the hub so the page works without internet access. A package only so
that the files ship as package data."""
