# Any read-only method; the answer is JSON in `result`.
data "supvisors_rpc" "web_server_on_node2" {
  method = "supvisors.get_inner_process_info"
  args   = ["node2", "web:web_server"]
}

data "supvisors_rpc" "methods" {
  method = "system.listMethods"
}

# Arguments keep their type: a string and two integers here (offset, length).
data "supvisors_rpc" "web_server_log" {
  method   = "supervisor.tailProcessStdoutLog"
  args     = ["web:web_server", 0, 4096]
  instance = "node2" # supervisor.* methods answer for the instance that receives them
}

output "web_server_pid_on_node2" {
  value = jsondecode(data.supvisors_rpc.web_server_on_node2.result)[0].pid
}

output "supvisors_methods" {
  value = [for m in jsondecode(data.supvisors_rpc.methods.result) : m if startswith(m, "supvisors.")]
}

output "web_server_log_tail" {
  value = jsondecode(data.supvisors_rpc.web_server_log.result)[0]
}

# Mutating methods (start_*, stop_*, shutdown, supervisor.clearLog, system.multicall ...) are refused at plan time.
