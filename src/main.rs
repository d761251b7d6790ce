fn main() {
    let invocation = kvs::cli::parse(std::env::args_os().collect());
    match invocation {
        Ok(inv) => println!("{inv:?}"),
        Err(e) => {
            eprint!("{}", e.render());
            std::process::exit(e.exit_code().into());
        }
    }
}
