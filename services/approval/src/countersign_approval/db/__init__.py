"""All of approval's SQL, one repository per table family."""
