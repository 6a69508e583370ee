"""One parser per format; each turns a file's text into a `ParsedFile` and never raises."""
