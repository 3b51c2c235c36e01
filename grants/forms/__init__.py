"""Forms of the staff workspace and the grantee portal: input validation only."""

# No grant comes near Rs 1,00,000 crore: a larger figure is a slip, and refusing it
# on the form keeps it from overflowing the 64-bit money columns (a server error).
MAX_RUPEES = 10**12
TOO_LARGE = "That is more than any grant: check the figure."
