//! Entry point of the page built by trunk.

fn main() {
    kafkascope_web::start();
}
