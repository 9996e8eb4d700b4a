"skc.workflow"() ({
^bb0(%cpu: !skc.num, %mem: !skc.num, %status: !skc.text, %paused: !skc.bool):
  %0 = "data.const"() {value = 90 : i64} : () -> !skc.num
  %1 = "data.const"() {value = 1500000000.0 : f64} : () -> !skc.num
  %2 = "data.const"() {value = "Running"} : () -> !skc.text
  %hot = "calc.cmp"(%cpu, %0) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool loc("runbooks/NodePressure.md":8:3)
  %3 = "calc.cmp"(%mem, %1) {pred = "ge"} : (!skc.num, !skc.num) -> !skc.bool
  %4 = "calc.cmp"(%cpu, %mem) {pred = "lt"} : (!skc.num, !skc.num) -> !skc.bool
  %5 = "calc.cmp"(%cpu, %0) {pred = "le"} : (!skc.num, !skc.num) -> !skc.bool
  %6 = "calc.cmp"(%status, %2) {pred = "eq"} : (!skc.text, !skc.text) -> !skc.bool
  %7 = "calc.cmp"(%status, %2) {pred = "ne"} : (!skc.text, !skc.text) -> !skc.bool
  %8 = "calc.cmp"(%status, %2) {pred = "contains"} : (!skc.text, !skc.text) -> !skc.bool
  %9 = "calc.cmp"(%paused, %hot) {pred = "eq"} : (!skc.bool, !skc.bool) -> !skc.bool
  %any = "calc.or"(%hot, %3) : (!skc.bool, !skc.bool) -> !skc.bool loc("runbooks/NodePressure.md":10:3)
  %10 = "calc.not"(%paused) : (!skc.bool) -> !skc.bool
  %act = "calc.and"(%any, %10) : (!skc.bool, !skc.bool) -> !skc.bool loc("runbooks/NodePressure.md":11:3)
  %11 = "calc.add"(%cpu, %mem) : (!skc.num, !skc.num) -> !skc.num
  %12 = "calc.sub"(%11, %0) : (!skc.num, !skc.num) -> !skc.num
  %13 = "calc.mul"(%12, %1) : (!skc.num, !skc.num) -> !skc.num
  %ratio = "calc.div"(%13, %cpu) : (!skc.num, !skc.num) -> !skc.num loc("runbooks/NodePressure.md":14:3)
  "ctrl.return"(%act, %ratio, %4, %5, %6, %7, %8, %9) : (!skc.bool, !skc.num, !skc.bool, !skc.bool, !skc.bool, !skc.bool, !skc.bool, !skc.bool) -> ()
}) {arg_names = ["cpu", "mem", "status", "paused"], sym_name = "node_pressure_predicates"} : () -> ()
