"""Who is calling: administrators, operators, holders and relying parties."""
