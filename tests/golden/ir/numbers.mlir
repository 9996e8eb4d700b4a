"skc.workflow"() ({
  %0 = "data.const"() {value = 0.0 : f64} : () -> !skc.num
  %1 = "data.const"() {value = -0.0 : f64} : () -> !skc.num
  %2 = "data.const"() {value = 1.0e-07 : f64} : () -> !skc.num
  %3 = "data.const"() {value = 1.7976931348623157e+308 : f64} : () -> !skc.num
  %4 = "data.const"() {value = 5.0e-324 : f64} : () -> !skc.num
  %5 = "data.const"() {value = 0x7FF0000000000000 : f64} : () -> !skc.num
  %6 = "data.const"() {value = 0xFFF0000000000000 : f64} : () -> !skc.num
  %7 = "data.const"() {value = 0x7FF8000000000000 : f64} : () -> !skc.num
  %8 = "data.const"() {value = 9223372036854775807 : i64} : () -> !skc.num
  %9 = "data.const"() {value = -9223372036854775808 : i64} : () -> !skc.num
  %10 = "data.const"() {value = [-1 : i64, 0 : i64, 3.14159 : f64, -2.5e+16 : f64, 0.1 : f64]} : () -> !skc.json
  %11 = "calc.add"(%0, %1) : (!skc.num, !skc.num) -> !skc.num
  %12 = "calc.mul"(%2, %3) : (!skc.num, !skc.num) -> !skc.num
  %13 = "calc.div"(%4, %5) : (!skc.num, !skc.num) -> !skc.num
  %14 = "calc.sub"(%6, %7) : (!skc.num, !skc.num) -> !skc.num
  %15 = "calc.add"(%8, %9) : (!skc.num, !skc.num) -> !skc.num
  %16 = "ctrl.retry"() ({
    %17 = "llm.generate"(%10) {prompt = "Estimate the p99 latency in ms.", temperature = 0.7 : f64} : (!skc.json) -> !skc.text
    "ctrl.yield"(%17) : (!skc.text) -> ()
  }) {backoff_s = 0.25 : f64, max_attempts = 2 : i64} : () -> !skc.text
  "ctrl.return"(%11, %12, %13, %14, %15, %16) : (!skc.num, !skc.num, !skc.num, !skc.num, !skc.num, !skc.text) -> ()
}) {sym_name = "numbers"} : () -> ()
