module UsageTests
open Xunit
[<Fact>]
let ``placeholder`` () = Assert.True(true)
