//! Every operation's response reader: the first byte picks the operation, the next ones the
//! status and headers, and the rest the body (raw, JSON of any shape, or JSON shaped like the
//! operation's output).

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

use lamina_fuzz::operations;
use lamina_fuzz::response::response;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let operations = operations::all();
    let operation = &operations[usize::from(pick) % operations.len()];

    let mut u = Unstructured::new(rest);
    let Ok(response) = response(&mut u, operation.output_shape()) else {
        return;
    };

    operation.check(&response);
    if operation.name == "Invoke" {
        operations::check_invoke(&response);
    }
});
