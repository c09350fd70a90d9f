//! The CLI's contract for failures: the ten errors users meet most, each snapshotted whole
//! (exit code and all of stderr under `-q`, which leaves the error alone on stderr), so a
//! changed message or code is a reviewed change.

use std::io::Write;

use crate::util::{Outcome, Pipeline, fixture, repo};

/// `exit <code>` and stderr, with the temporary directory and the repository replaced.
fn contract(p: &Pipeline, out: &Outcome) -> String {
    let tmp = p.dir.path().display().to_string();
    let stderr = out
        .stderr
        .replace(&tmp, "[TMP]")
        .replace(&repo().display().to_string(), "[REPO]");
    format!("exit {}\n{}", out.code, stderr.trim_end())
}

/// The first `n` data lines of the IMF slice, edited, as a file in `p`'s directory.
fn slice_file(p: &Pipeline, n: usize, edit: impl Fn(Vec<String>) -> Vec<String>) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixture("imf_dots_china_centralasia_majors_1992_2020.csv")).unwrap();
    let lines = edit(text.lines().take(n + 1).map(str::to_owned).collect());
    let path = p.dir.path().join("data.csv");
    std::fs::File::create(&path)
        .unwrap()
        .write_all((lines.join("\n") + "\n").as_bytes())
        .unwrap();
    path
}

#[test]
fn config_with_an_unknown_key() {
    let p = Pipeline::slice().edit("[indices]", "[indices]\ncolour = \"red\"");
    let out = p.run(["-q", "run"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn a_command_that_needs_indices_without_them() {
    let p = Pipeline::slice().without_reports().edit(
        "[indices]\ncountries = [\"CHN\", \"KAZ\", \"KGZ\", \"TJK\", \"TKM\", \"UZB\"]\ncagr-windows = [[2010, 2020]]\n",
        "",
    );
    let out = p.run(["-q", "indices"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn normalize_before_fetch() {
    let p = Pipeline::slice();
    let out = p.run(["-q", "normalize"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn indices_before_normalize() {
    let p = Pipeline::slice();
    p.run(["fetch"]).success();
    let out = p.run(["-q", "indices"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn a_source_file_that_is_not_there() {
    let p = Pipeline::slice();
    let missing = p.dir.path().join("nowhere.csv");
    let p = p.data(&missing);
    let out = p.run(["-q", "run"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn a_country_name_the_registry_does_not_know() {
    let p = Pipeline::slice();
    let path = slice_file(&p, 30, |mut l| {
        l[12] = l[12].replacen("Australia", "Atlantis", 1);
        l
    });
    let p = p.data(&path).edit("from = 2000", "from = 1992");
    let out = p.run(["-q", "run"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn a_value_that_is_not_a_number() {
    let p = Pipeline::slice();
    let path = slice_file(&p, 10, |mut l| {
        l[7] = l[7].replacen(",False", "x,False", 1);
        l
    });
    let p = p.data(&path);
    let out = p.run(["-q", "run"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn a_table_without_a_mapped_column() {
    let p = Pipeline::slice();
    let path = p.dir.path().join("table.csv");
    std::fs::write(&path, "Year,Reporter,Partner,Value\n2015,CHN,KAZ,10\n").unwrap();
    let p = p.sources(&format!(
        "[[source]]\nname = \"table\"\nkind = \"file\"\nformat = \"table-csv\"\npath = \"{}\"\n\
         vintage = \"v\"\n[source.columns]\nyear = \"Year\"\nreporter = \"Reporter\"\n\
         partner = \"Partner\"\nflow = \"Flow\"\nvalue = \"Value\"\n\n",
        path.display()
    ));
    let out = p.run(["-q", "run"]);
    insta::assert_snapshot!(contract(&p, &out));
}

#[test]
fn another_run_holds_the_output_directory() {
    let p = Pipeline::slice();
    std::fs::create_dir_all(p.output()).unwrap();
    let mut lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(p.output().join(".tradepipe.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    write!(
        lock,
        "pid 4242 running `tradepipe run` since unix time 1796000000"
    )
    .unwrap();
    let out = p.run(["-q", "run"]);
    insta::assert_snapshot!(contract(&p, &out));
    drop(lock);
}

#[test]
fn a_template_that_does_not_parse() {
    let p = Pipeline::slice();
    let dir = p.dir.path().join("templates");
    crate::util::copy_dir(&repo().join("templates"), &dir);
    let path = dir.join("report.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{{% if title %}}\n{text}")).unwrap();
    let templates = repo().join("templates").display().to_string();
    let p = p.edit(
        &format!("templates = \"{templates}\""),
        "templates = \"templates\"",
    );
    let out = p.run(["-q", "run"]);
    insta::assert_snapshot!(contract(&p, &out));
}
