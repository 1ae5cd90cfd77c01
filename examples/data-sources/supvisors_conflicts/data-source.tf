data "supvisors_conflicts" "current" {}

# A process running on several instances puts the cluster in CONCILIATION, which refuses every start.
check "no_conflicts" {
  assert {
    condition     = length(data.supvisors_conflicts.current.conflicts) == 0
    error_message = "Conflicts: ${join(", ", [for c in data.supvisors_conflicts.current.conflicts : "${c.namespec} on ${join(" and ", c.identifiers)}"])}. Resolve them with: supvisorsctl conciliate SENICIDE"
  }
}
