-- MySQL dump
/*!40101 SET NAMES utf8 */;
CREATE TABLE `users` (`id` int, `name` varchar(9) DEFAULT 'a,b', PRIMARY KEY (`id`));
INSERT INTO `users` VALUES (1,'O\'Brien\n',NULL),(2,'it''s',-5.5), (3, _utf8'x', now());
# c
INSERT INTO db.users (`name`) VALUES ('x') ON DUPLICATE KEY UPDATE name='y';
