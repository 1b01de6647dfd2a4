import LuaVM
import Foundation
let limits = LuaLimits(instructions: 5_000_000, memoryBytes: 8 << 20, wallClock: .seconds(5), maxStringBytes: 1 << 20)
let sb = try LuaSandbox(limits: limits)
let code = CommandLine.arguments[1]
let t0 = Date()
do { print(try sb.run(code)) } catch { print(error) }
print(Date().timeIntervalSince(t0))
do { print(try sb.run(code)) } catch { print(error) }
print(Date().timeIntervalSince(t0), sb.memoryInUse)
