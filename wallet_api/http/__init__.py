"""HTTP plumbing around the routes: body and input limits, rate limits, logs, server protocols."""
