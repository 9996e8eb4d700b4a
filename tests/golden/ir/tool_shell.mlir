"skc.workflow"() ({
^bb0(%ns: !skc.text, %pod: !skc.text):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}", "-o", "json"], effects = ["read:k8s"], step = "Step 1", timeout_s = 30 : i64} : (!skc.text) -> !skc.json loc("runbooks/CrashLoopBackOff.md":9:1)
  %logs:2 = "tool.shell"(%ns, %pod) {cmd = "kubectl logs -n {0} {1} --previous | tail -n 200", effects = ["read:k8s"], retries = 2 : i64, step = "Step 2"} : (!skc.text, !skc.text) -> (!skc.text, !skc.token) loc("runbooks/CrashLoopBackOff.md":15:1)
  %describe = "tool.shell"(%ns, %pod) {argv = ["oc", "describe", "pod", "{1}", "-n", "{0}"], cwd = "/tmp", effects = ["read:k8s"], env = ["KUBECONFIG"], fallback = "Step 4"} : (!skc.text, !skc.text) -> !skc.text loc("runbooks/CrashLoopBackOff.md":21:1)
  %deleted = "tool.shell"(%ns, %pod, %logs#1) {argv = ["kubectl", "delete", "pod", "{1}", "-n", "{0}"], confirm = true, effects = ["write:k8s"], step = "Mitigation"} : (!skc.text, !skc.text, !skc.token) -> !skc.text loc("runbooks/CrashLoopBackOff.md":33:1)
  "ctrl.return"(%pods, %logs#0, %describe, %deleted) : (!skc.json, !skc.text, !skc.text, !skc.text) -> () loc("runbooks/CrashLoopBackOff.md":40:1)
}) {arg_names = ["ns", "pod"], source = "runbooks/CrashLoopBackOff.md", sym_name = "crash_loop_back_off"} : () -> ()
