"""The tutor's screens: the lesson picker, the lesson itself, help, errors and the resume dialog."""
