"skc.workflow"() ({
^bb0(%pod: !skc.text):
  %0 = "tool.shell"(%pod) {argv = ["oc", "get", "pod", "{0}", "-o", "wide"], effects = ["read:k8s"], step = "1"} : (!skc.text) -> !skc.text loc("runbooks/EtcdDefrag.md":5:1)
  %1 = "ctrl.manual"(%pod) {command = "oc edit pod {0}", effects = ["read:manual"], reason = "opens an editor", step = "2"} : (!skc.text) -> !skc.text loc("runbooks/EtcdDefrag.md":9:1)
  "ctrl.return"(%0, %1) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["pod"], sym_name = "etcd_defrag"} : () -> ()
