# The import ID is the application name. Importing does not start, stop or restart anything.
terraform import supvisors_application.web web
