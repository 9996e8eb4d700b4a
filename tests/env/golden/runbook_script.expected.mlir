"skc.workflow"() ({
  %0 = "tool.script"() {effects = ["write:*"], path = "scripts/build.sh"} : () -> !skc.text loc("runbooks/Deploy.md":47:3)
  "ctrl.return"(%0) : (!skc.text) -> ()
}) {source = "runbooks/Deploy.md", sym_name = "runbook_script"} : () -> ()
