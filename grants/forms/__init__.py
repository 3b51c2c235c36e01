"""Forms of the staff workspace and the grantee portal: input validation only."""
