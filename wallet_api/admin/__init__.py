"""Agency administration: parties, the audit log, status publishing."""
