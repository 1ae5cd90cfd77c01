# Every process of an application (namespec "web:*"), managed or not by Supvisors.
resource "supvisors_process_group" "web" {
  application = "web"
  state       = "running"
}

# One program of an application, started with extra command-line arguments.
# Changing extra_args restarts its processes with the new arguments.
resource "supvisors_process_group" "job" {
  application = "batch"
  program     = "batch_job"
  strategy    = "LESS_LOADED"
  extra_args  = "--verbose --level 2"

  # Any change of a value restarts the processes, e.g. a release tag, or
  # conf = filesha256("${path.module}/batch.conf") to follow a file.
  restart_triggers = {
    release = "2024.06.1"
  }

  timeouts {
    create = "10m"
    update = "10m"
  }
}

# A homogeneous program (numprocs, process_name = %(program_name)s_%(process_num)d):
# four processes worker_0 .. worker_3, set on every Supvisors instance.
resource "supvisors_process_group" "workers" {
  application = "worker"
  program     = "worker"
  numprocs    = 4
  enabled     = true
}

# A program kept stopped and disabled everywhere; destroying the resource
# only forgets it.
resource "supvisors_process_group" "maintenance" {
  application     = "tools"
  program         = "tool"
  state           = "stopped"
  enabled         = false
  stop_on_destroy = false
}

output "worker_placement" {
  value = { for p in supvisors_process_group.workers.processes : p.namespec => p.identifiers }
}
