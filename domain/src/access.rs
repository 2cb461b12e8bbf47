//! Who may do what: the authorization rules as pure functions, so that the
//! API asks one place and a test can enumerate the whole matrix.
//!
//! Owners see and change only their organization's data; integrators,
//! operators and analysts read everything; analysts change nothing; admins
//! manage organizations and users (domain digest, "Who uses it").

use uuid::Uuid;

use crate::error::DomainError;
use crate::user::Role;

/// The signed-in user on whose behalf an action runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's role.
    pub role: Role,
    /// The user's organization (owners always have one).
    pub organization_id: Option<Uuid>,
}

/// Which services an actor may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceScope {
    /// Every service.
    All,
    /// The organization's own services and every published one.
    OwnOrPublished(Option<Uuid>),
}

/// Which objects an actor may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every organization's.
    All,
    /// Only this organization's.
    Organization(Uuid),
    /// None at all.
    Nothing,
}

impl Actor {
    /// The objects and organizations this actor may read.
    pub fn read_scope(&self) -> Scope {
        match self.role {
            Role::Integrator | Role::Operator | Role::Analyst | Role::Admin => Scope::All,
            Role::Owner => self
                .organization_id
                .map_or(Scope::Nothing, Scope::Organization),
        }
    }

    /// Whether the actor may read data of `organization`.
    pub fn can_read(&self, organization: Uuid) -> bool {
        match self.read_scope() {
            Scope::All => true,
            Scope::Organization(own) => own == organization,
            Scope::Nothing => false,
        }
    }

    /// Owners record and change their own organization's objects (003 §5, §9);
    /// the owner entity answers for what it places (003 §3), so nobody else does.
    pub fn check_change_objects_of(&self, organization: Uuid) -> Result<(), DomainError> {
        if self.role == Role::Owner && self.organization_id == Some(organization) {
            return Ok(());
        }
        Err(DomainError::forbidden(
            "объектілерді тек олардың иесі ұйымның қызметкерлері өзгерте алады",
            "изменять объекты могут только сотрудники организации-владельца",
            "only the owner organization's users may change its objects",
        ))
    }

    /// Operators register and update gateway services (000 §6.8).
    pub fn check_operator(&self) -> Result<(), DomainError> {
        if self.role == Role::Operator {
            return Ok(());
        }
        Err(DomainError::forbidden(
            "сервистерді тек АКТ инфрақұрылымының операторы тіркейді",
            "сервисы регистрирует только оператор ИКИ",
            "only the ICT infrastructure operator registers services",
        ))
    }

    /// Which services the actor sees: staff see all; owners see their own
    /// organization's and the published ones.
    pub fn service_scope(&self) -> ServiceScope {
        match self.role {
            Role::Integrator | Role::Operator | Role::Analyst | Role::Admin => ServiceScope::All,
            Role::Owner => ServiceScope::OwnOrPublished(self.organization_id),
        }
    }

    /// 003 §6: the service integrator grants portal accounts; admins may
    /// act for it.
    pub fn check_grant_accounts(&self) -> Result<(), DomainError> {
        if matches!(self.role, Role::Integrator | Role::Admin) {
            return Ok(());
        }
        Err(DomainError::forbidden(
            "есептік жазба өтінімдерін тек сервистік интегратор немесе әкімші қарайды",
            "заявки на учётные записи рассматривает только сервисный интегратор или администратор",
            "only the service integrator or an administrator handles account requests",
        ))
    }

    /// 003 §8: the service integrator verifies submissions and assigns
    /// accounting codes; nobody else decides a review.
    pub fn check_integrator(&self) -> Result<(), DomainError> {
        if self.role == Role::Integrator {
            return Ok(());
        }
        Err(DomainError::forbidden(
            "бұл әрекет тек сервистік интеграторға рұқсат етілген",
            "это действие доступно только сервисному интегратору",
            "only the service integrator may do this",
        ))
    }

    /// Admins manage organizations and users.
    pub fn check_admin(&self) -> Result<(), DomainError> {
        if self.role == Role::Admin {
            return Ok(());
        }
        Err(DomainError::forbidden(
            "бұл әрекет тек әкімшіге рұқсат етілген",
            "это действие доступно только администратору",
            "only an administrator may do this",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: Option<Uuid>) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            role,
            organization_id: org,
        }
    }

    #[test]
    fn the_matrix() {
        let own = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        for role in Role::ALL {
            let a = actor(
                *role,
                if *role == Role::Owner {
                    Some(own)
                } else {
                    None
                },
            );
            assert!(a.can_read(own));
            assert_eq!(
                a.can_read(other),
                *role != Role::Owner,
                "{role} reading another organization"
            );
            assert_eq!(
                a.check_change_objects_of(own).is_ok(),
                *role == Role::Owner,
                "{role} changing"
            );
            assert!(a.check_change_objects_of(other).is_err());
            assert_eq!(a.check_admin().is_ok(), *role == Role::Admin);
            assert_eq!(
                a.check_grant_accounts().is_ok(),
                matches!(role, Role::Integrator | Role::Admin)
            );
            assert_eq!(a.check_integrator().is_ok(), *role == Role::Integrator);
        }
        assert_eq!(actor(Role::Owner, None).read_scope(), Scope::Nothing);
    }
}
