# Every process of an application: "<application>:*".
terraform import supvisors_process_group.web 'web:*'

# One program (or one process) of an application: "<application>:<program>".
terraform import supvisors_process_group.workers worker:worker
