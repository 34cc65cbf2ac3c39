//! Divisions and levels as the database holds them: text, read back into [`Division`] and
//! [`Level`]. A value the service does not know is a deserialization error (so an internal
//! error of the request), never a panic. Queries bind `division.id()` / `level.as_str()`.

use diesel::deserialize::{self, FromSql, Queryable};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Text;

use crate::domain::geography::{Division, Level};

impl FromSql<Text, Pg> for Division {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let id = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
        Division::parse(&id)
            .ok_or_else(|| format!("unknown division {id:?} in the database").into())
    }
}

impl Queryable<Text, Pg> for Division {
    type Row = Division;

    fn build(row: Division) -> deserialize::Result<Self> {
        Ok(row)
    }
}

impl FromSql<Text, Pg> for Level {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let id = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
        Level::parse(&id).ok_or_else(|| format!("unknown level {id:?} in the database").into())
    }
}

impl Queryable<Text, Pg> for Level {
    type Row = Level;

    fn build(row: Level) -> deserialize::Result<Self> {
        Ok(row)
    }
}
