//! `plan` and the stage settings that override the config's `[plan]`.

use super::*;

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub stages: StageOptions,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub show: ShowArgs,
}

/// Stage settings that override the config's [plan].
#[derive(Debug, Args)]
pub struct StageOptions {
    /// Number of planned stages.
    #[arg(long)]
    pub stages: Option<u32>,
    /// Months per stage (default 3: quarters).
    #[arg(long)]
    pub stage_months: Option<u32>,
    /// The campaign's deadline (YYYY-MM-DD): raise the capacity per stage until every platform
    /// that can finish by it does, and name those that cannot.
    #[arg(long, value_parser = parse_deadline)]
    pub deadline: Option<crate::domain::date::Date>,
}

impl StageOptions {
    pub fn apply(&self, config: &mut crate::config::Config) -> Result<()> {
        if let Some(n) = self.stages {
            if n == 0 {
                return Err(Error::Usage("--stages must be at least 1".into()));
            }
            config.plan.stages = n;
        }
        if let Some(m) = self.stage_months {
            if m == 0 {
                return Err(Error::Usage("--stage-months must be at least 1".into()));
            }
            config.plan.stage_months = m;
        }
        if let Some(d) = self.deadline {
            config.plan.deadline = Some(d);
        }
        Ok(())
    }
}
