"""The server-rendered pages. Views stay thin: they ask the policy, selectors and services,
and answer with a page or a redirect. Every flow works without JavaScript."""
